package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.FieldType;

class MalformedJsonRowTest {
    private static final MalformedJsonRow USERS = new MalformedJsonRow(List.of("user_id", "age", "score", "active"),
            List.of(FieldType.STRING, FieldType.INT64, FieldType.DOUBLE, FieldType.BOOL));

    @Test
    void theFirstKeyNotOfItsColumnsTypeIsNamed() {
        String notInt64 = "malformed row: column age is not an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)";
        assertEquals(notInt64, USERS.reason("{\"user_id\": \"u1\", \"age\": \"twenty\"}"));
        assertEquals(notInt64, USERS.reason("{\"user_id\": \"u1\", \"age\": 1.5}"));
        assertEquals(notInt64, USERS.reason("{\"user_id\": \"u1\", \"age\": 99999999999999999999}"));
        assertEquals("malformed row: column score is not a DOUBLE (a decimal number, NaN or Inf)",
                USERS.reason("{\"user_id\": \"u1\", \"age\": 3, \"score\": \"high\"}"));
        assertEquals("malformed row: column active is not a BOOL (true or false)", USERS.reason("{\"user_id\": 7, \"active\": \"yes\"}"));
    }

    @Test
    void aLineThatIsNotAnObjectIsSaidSo() {
        assertEquals("malformed row: not a JSON object", USERS.reason("[1, 2]"));
        assertEquals(true, USERS.reason("{\"user_id\": ").startsWith("malformed row: not a JSON object ("));
    }

    @Test
    void valuesOfTheirTypesKeepTheGenericReason() {
        assertEquals(TableLoader.MALFORMED, USERS.reason("{\"user_id\": \"u1\", \"age\": -3, \"score\": \"NaN\", \"active\": false, \"x\": {}}"));
    }
}
