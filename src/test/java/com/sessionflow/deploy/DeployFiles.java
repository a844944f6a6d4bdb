package com.sessionflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The deployment files of the checkout (Maven runs tests in it), and typed access to their parsed
 * YAML or JSON trees that fails with the key's name when it is not there.
 */
final class DeployFiles {

    private DeployFiles() {}

    static Path repositoryRoot() {
        return Path.of("").toAbsolutePath();
    }

    static Map<?, ?> map(Object parent, String key) {
        return get(parent, key, Map.class);
    }

    static Map<?, ?> map(List<?> list, int index) {
        Object value = list.get(index);
        assertThat(value).as("item " + index + " of " + list).isInstanceOf(Map.class);
        return (Map<?, ?>) value;
    }

    static List<?> list(Object parent, String key) {
        return get(parent, key, List.class);
    }

    static String string(Object parent, String key) {
        return get(parent, key, String.class);
    }

    static Number number(Object parent, String key) {
        return get(parent, key, Number.class);
    }

    private static <T> T get(Object parent, String key, Class<T> type) {
        assertThat(parent).as("parent of " + key).isInstanceOf(Map.class);
        Object value = ((Map<?, ?>) parent).get(key);
        assertThat(value).as(key).isInstanceOf(type);
        return type.cast(value);
    }
}
