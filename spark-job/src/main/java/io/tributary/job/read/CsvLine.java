package io.tributary.job.read;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields: separated by commas; a field may be quoted with {@code "}, a
 * doubled {@code ""} standing for one quote inside it; spaces around an unquoted field are not
 * part of it. A record is one line: a quoted field cannot hold a line break.
 */
final class CsvLine {
    private CsvLine() {
    }

    /** The fields, or {@code null} when a quoted field is not closed on the line. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && line.charAt(i) == ' ') i++;
            if (i < n && line.charAt(i) == '"') {
                StringBuilder field = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) return null;
                    char ch = line.charAt(i++);
                    if (ch != '"') {
                        field.append(ch);
                    } else if (i < n && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
                fields.add(field.toString());
                while (i < n && line.charAt(i) != ',') i++;
            } else {
                int end = line.indexOf(',', i);
                if (end < 0) end = n;
                fields.add(line.substring(i, end).trim());
                i = end;
            }
            if (i >= n) return fields;
            i++;
        }
    }
}
