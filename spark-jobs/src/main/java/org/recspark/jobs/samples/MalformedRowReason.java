package org.recspark.jobs.samples;

import java.io.Serializable;
import org.recspark.config.proto.FieldType;

/**
 * Why a record that Spark's reader marked malformed does not parse, from the record's text, said the
 * same way for every record of the same fault so the rejects group by it (the value is in the
 * reject's row). Runs on executors, for malformed records only.
 */
interface MalformedRowReason extends Serializable {
    String reason(String record);

    /** What a column of the type must hold, for "column X is not ...". */
    static String expected(FieldType type) {
        return switch (type) {
            case INT64 -> "an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)";
            case DOUBLE -> "a DOUBLE (a decimal number, NaN or Inf)";
            case BOOL -> "a BOOL (true or false)";
            case STRING, STRING_LIST, STRING_DOUBLE_MAP -> "text";
        };
    }
}
