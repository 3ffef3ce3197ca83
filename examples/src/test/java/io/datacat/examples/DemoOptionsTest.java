package io.datacat.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoOptionsTest {
    @Test
    void noOptionsAreTheDefaults() throws Exception {
        DemoOptions o = DemoOptions.parse();
        assertThat(o.serverUrl).isEqualTo("http://localhost:9090");
        assertThat(o.cleanRunSeconds).isEqualTo(5);
        assertThat(o.helpAsked).isFalse();
    }

    @Test
    void optionsTakeTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        DemoOptions o = DemoOptions.parse("--server", "http://127.0.0.1:8123/", "--seconds=1.5");
        assertThat(o.serverUrl).isEqualTo("http://127.0.0.1:8123");
        assertThat(o.cleanRunSeconds).isEqualTo(1.5);
        assertThat(o.cleanRunSecondsText()).isEqualTo("1.5");
        assertThat(DemoOptions.parse("--seconds", "2").cleanRunSecondsText()).isEqualTo("2");
    }

    @Test
    void helpIsAskedWhateverElseIsGiven() throws Exception {
        assertThat(DemoOptions.parse("--help").helpAsked).isTrue();
        assertThat(DemoOptions.parse("--seconds", "abc", "-h").helpAsked).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--seconds abc        | --seconds must be a number above 0 and at most 3600, got 'abc'",
        "--seconds -3         | --seconds must be a number above 0 and at most 3600, got '-3'",
        "--seconds 0          | --seconds must be a number above 0 and at most 3600, got '0'",
        "--seconds NaN        | --seconds must be a number above 0 and at most 3600, got 'NaN'",
        "--seconds=Infinity   | --seconds must be a number above 0 and at most 3600, got 'Infinity'",
        "--seconds 3601       | --seconds must be a number above 0 and at most 3600, got '3601'",
        "--seconds            | --seconds needs a value",
        "--server localhost:9090 | --server must be the http(s) URL of a DataCat server such as http://localhost:9090, got 'localhost:9090'",
        "--server ftp://host  | --server must be the http(s) URL of a DataCat server such as http://localhost:9090, got 'ftp://host'",
        "--port 9090          | unknown option '--port'",
        "--port=9090          | unknown option '--port'",
        "fast                 | unexpected argument 'fast'"})
    void aBadCommandLineIsOneClearLine(String args, String message) {
        assertThatThrownBy(() -> DemoOptions.parse(args.split(" ")))
                .isInstanceOf(DemoOptions.BadOptionException.class).hasMessage(message);
    }
}
