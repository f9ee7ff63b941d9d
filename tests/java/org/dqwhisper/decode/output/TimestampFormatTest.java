package org.dqwhisper.decode.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimestampFormatTest {
    @Test
    void zeroAndSubMinute() {
        assertEquals("00:00:00,000", TimestampFormat.srt(0));
        assertEquals("00:00.000", TimestampFormat.vtt(0));
        assertEquals("00:00:59,999", TimestampFormat.srt(59.999));
        assertEquals("00:59.999", TimestampFormat.vtt(59.999));
        assertEquals("00:02.345", TimestampFormat.vtt(2.345));
    }

    @Test
    void hoursAppearInVttOnlyFromOneHourAndAreTwoDigitsAtLeast() {
        assertEquals("59:59.999", TimestampFormat.vtt(3599.999));
        assertEquals("01:00:00.000", TimestampFormat.vtt(3600));
        assertEquals("01:01:01.500", TimestampFormat.vtt(3661.5));
        assertEquals("01:01:01,500", TimestampFormat.srt(3661.5));
        assertEquals("100:00:00,000", TimestampFormat.srt(360000));
    }

    @Test
    void millisecondsRoundHalfToEvenOnTheDoubleProduct() {
        // products are exactly x.5 in double: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 3.5 -> 4, 1062.5 -> 1062
        assertEquals("00:00.000", TimestampFormat.vtt(0.0005));
        assertEquals("00:00.002", TimestampFormat.vtt(0.0015));
        assertEquals("00:00.002", TimestampFormat.vtt(0.0025));
        assertEquals("00:00.004", TimestampFormat.vtt(0.0035));
        assertEquals("00:01.062", TimestampFormat.vtt(1.0625));
        // 59999.5 -> 60000 carries into the minute, 3599999.5 -> 3600000 into the hour
        assertEquals("01:00.000", TimestampFormat.vtt(59.9995));
        assertEquals("01:00:00.000", TimestampFormat.vtt(3599.9995));
        // 0.1 + 0.2 = 0.30000000000000004 -> 300.00000000000006 ms -> 300
        assertEquals("00:00.300", TimestampFormat.vtt(0.1 + 0.2));
        assertEquals(300, TimestampFormat.roundMillis(0.1 + 0.2));
    }

    @Test
    void customMarkerAndForcedHours() {
        assertEquals("00:00:01;250", TimestampFormat.format(1.25, true, ';'));
    }

    @Test
    void negativeOrNonFiniteTimesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TimestampFormat.vtt(-0.001));
        assertThrows(IllegalArgumentException.class, () -> TimestampFormat.vtt(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> TimestampFormat.vtt(Double.POSITIVE_INFINITY));
    }
}
