package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.store.StoreException;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkMappingTest {

    @Test
    void pairsAreParsedInOrder() throws Exception {
        assertThat(NetworkMapping.parse(List.of("default=dr", "lan=dr-lan")).byOldName())
                .containsExactly(Map.entry("default", "dr"), Map.entry("lan", "dr-lan"));
        assertThat(NetworkMapping.parse(List.of()).isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "=dr", "default=", "a=b=c", "a b=c", "a=b/c", ""})
    void malformedPairsAreBadInput(String pair) {
        assertThatThrownBy(() -> NetworkMapping.parse(List.of(pair)))
                .isInstanceOf(RestoreException.class)
                .hasMessage("bad network mapping '" + pair + "': expected OLD=NEW, two network names")
                .extracting(e -> ((StoreException) e).kind()).isEqualTo(StoreException.Kind.BAD_INPUT);
    }

    @Test
    void aNetworkMappedTwiceIsBadInput() {
        assertThatThrownBy(() -> NetworkMapping.parse(List.of("a=b", "a=c")))
                .isInstanceOf(RestoreException.class).hasMessage("network a is mapped twice");
    }
}
