package io.tributary.job.read;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.tributary.job.kryo.KryoClasses;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * What reading tables sends through Kryo: Spark SQL's schemas, which Parquet's and ORC's schema
 * inference return from tasks. A schema travels as its JSON: field by field, Kryo would rebuild
 * Spark's type singletons ({@code IntegerType$}...) as new objects that equal nothing.
 */
public final class ReadKryoClasses implements KryoClasses {
    @Override
    public List<Class<?>> classes() {
        return List.of(StructType[].class);
    }

    @Override
    public void register(Kryo kryo) {
        kryo.register(StructType.class, new SchemaJson());
        classes().forEach(kryo::register);
    }

    /** A schema as its JSON. */
    static final class SchemaJson extends Serializer<StructType> {
        SchemaJson() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, StructType schema) {
            output.writeString(schema.json());
        }

        @Override
        public StructType read(Kryo kryo, Input input, Class<StructType> type) {
            return (StructType) DataType.fromJson(input.readString());
        }
    }
}
