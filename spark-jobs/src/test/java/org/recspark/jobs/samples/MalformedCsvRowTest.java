package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.FieldType;

class MalformedCsvRowTest {
    private static final MalformedCsvRow IMPRESSIONS = new MalformedCsvRow(",", List.of("user_id", "ts", "price", "seen"),
            List.of(FieldType.STRING, FieldType.INT64, FieldType.DOUBLE, FieldType.BOOL), false, true);

    @Test
    void aFieldCountOtherThanTheHeadersIsSaid() {
        assertEquals("malformed row: 5 fields where the header has 4", IMPRESSIONS.reason("u1,5,1.5,true,extra"));
        assertEquals("malformed row: 3 fields where the header has 4", IMPRESSIONS.reason("u1,5,1.5"));
        MalformedCsvRow byPosition = new MalformedCsvRow(";", List.of("a", "b"), List.of(FieldType.STRING, FieldType.STRING), false, false);
        assertEquals("malformed row: 1 fields where the schema declares 2", byPosition.reason("x,y"));
    }

    @Test
    void theFirstColumnNotOfItsTypeIsNamedWithTheTypeExpected() {
        assertEquals("malformed row: column ts is not an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)",
                IMPRESSIONS.reason("u1,1e3,1.5,true"));
        assertEquals("malformed row: column ts is not an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)",
                IMPRESSIONS.reason("u1,99999999999999999999,1.5,true"));
        assertEquals("malformed row: column ts is not an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)",
                IMPRESSIONS.reason("u1,1.0,x,true"));
        assertEquals("malformed row: column price is not a DOUBLE (a decimal number, NaN or Inf)", IMPRESSIONS.reason("u1,5,-inf,true"));
        assertEquals("malformed row: column seen is not a BOOL (true or false)", IMPRESSIONS.reason("u1,5,1.5,yes"));
    }

    @Test
    void quotingFaultsAreSaidWithTheRemedy() {
        assertEquals("malformed row: a quoted field of this record is never closed (no matching '\"' before the end of the input)"
                + " (a quoted line break needs source.multi_line: true; without it each line is read as a record)",
                IMPRESSIONS.reason("u1,5,1.5,\"tr"));
        assertEquals("malformed row: field 1: text after its closing quote ('x,5,1.5,true'); a quote inside a quoted field is written twice",
                IMPRESSIONS.reason("\"u1\"x,5,1.5,true"));
        assertEquals("malformed row: 3 fields where the header has 4", IMPRESSIONS.reason("\"u1,5\",1.5,true"));
    }

    @Test
    void aRecordThatParsesHereKeepsTheGenericReason() {
        assertEquals(TableLoader.MALFORMED, IMPRESSIONS.reason("u1,5,NaN,TRUE"));
        assertEquals(TableLoader.MALFORMED, IMPRESSIONS.reason("u1,,,"));
    }
}
