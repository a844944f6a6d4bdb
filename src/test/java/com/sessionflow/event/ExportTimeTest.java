package com.sessionflow.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Amplitude export timestamps (session-rules §1): UTC, space or T, 0-6 fraction digits. */
class ExportTimeTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2019-11-12 14:43:48.924000 | 2019-11-12T14:43:48.924Z",
                "2019-11-12T14:43:48.924000 | 2019-11-12T14:43:48.924Z",
                "2019-11-12 14:43:48        | 2019-11-12T14:43:48Z",
                "2019-11-12 14:43:48.9      | 2019-11-12T14:43:48.900Z",
                "2019-11-12 14:43:48.92     | 2019-11-12T14:43:48.920Z",
                "2019-11-12 14:43:48.924    | 2019-11-12T14:43:48.924Z",
                "2019-11-12 14:43:48.9241   | 2019-11-12T14:43:48.924Z",
                "2019-11-12 14:43:48.92419  | 2019-11-12T14:43:48.924Z",
                "2019-11-12 14:43:48.924999 | 2019-11-12T14:43:48.924Z",
                "2019-11-12 14:43:48.924Z   | 2019-11-12T14:43:48.924Z",
                "2020-02-29 23:59:59.999    | 2020-02-29T23:59:59.999Z",
                "1970-01-01 00:00:00.001    | 1970-01-01T00:00:00.001Z",
            })
    void parsesExportTimestampsAsUtc(String text, String iso) {
        assertThat(ExportTime.parse(text)).isEqualTo(Instant.parse(iso).toEpochMilli());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "abc",
                "2019-11-12",
                "2019-11-12 14:43",
                "2019/11/12 14:43:48",
                "2019-11-12_14:43:48",
                "2019-11-12 14:43:48.1234567",
                "2019-11-12 25:00:00",
                "2019-11-12 14:61:00",
                "2019-13-01 00:00:00",
                "2019-02-30 10:00:00",
                "2019-11-31 10:00:00",
                "2019-11-12 14:43:48+02:00",
                "12-11-2019 14:43:48",
                "2019-11-12 14:43:48.924000 extra",
                "1573569828924"
            })
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> ExportTime.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
}
