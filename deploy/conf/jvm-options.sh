# Sourced by bin/tributary and the deploy scripts: the JVM options every Spark JVM of Tributary needs.
# Spark's own --add-opens list for Java 17 (launcher/JavaModuleOptions) and the vector API module;
# the parent pom's java17.opens property carries the same list for tests.
TRIBUTARY_JAVA17_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  # The JDK's vector API, for the reference CNN's convolution layer (ConvPoolRelu); without it the
  # layer falls back to scalar code, several times slower.
  --add-modules=jdk.incubator.vector
)
