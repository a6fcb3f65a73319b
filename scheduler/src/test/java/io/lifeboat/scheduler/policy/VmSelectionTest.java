package io.lifeboat.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VmSelectionTest {

    @Test
    void selectsByNameGlobOrTag() {
        VmSelection selection = new VmSelection(List.of("mail"), List.of("web-*", "{db,cache}[0-9]"), List.of("prod"));

        assertThat(selection.matches("mail", Set.of())).isTrue();
        assertThat(selection.matches("web-01", Set.of())).isTrue();
        assertThat(selection.matches("db7", Set.of())).isTrue();
        assertThat(selection.matches("cache1", Set.of())).isTrue();
        assertThat(selection.matches("build", Set.of("dev", "prod"))).isTrue();

        assertThat(selection.matches("mail2", Set.of())).isFalse();
        assertThat(selection.matches("WEB-01", Set.of())).isFalse(); // case-sensitive, like libvirt names
        assertThat(selection.matches("db10", Set.of())).isFalse();
        assertThat(selection.matches("build", Set.of("dev"))).isFalse();
    }

    @Test
    void anEmptySelectionIsRefused() {
        assertThatThrownBy(() -> new VmSelection(List.of(), List.of(), null))
                .isInstanceOf(InvalidPolicyException.class)
                .hasMessage("select at least one VM by name, glob or tag");
    }

    @Test
    void reportsEveryBadEntry() {
        assertThat(VmSelection.check(List.of(" "), List.of("web-[", "ok*"), List.of("")))
                .containsExactly(
                        new Violation("names", "a VM name must not be blank"),
                        new Violation("globs", "invalid glob 'web-[': Missing ']"),
                        new Violation("tags", "a tag must not be blank"));
    }
}
