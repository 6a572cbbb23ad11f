package dev.neox4j.config;

import dev.neox4j.hub.HubSettings;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.file.Path;

/**
 * The Hub settings of the service and its commands: {@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE},
 * {@code HF_HUB_CACHE}, {@code HF_HOME}, ... looked up through the configuration, which sees the environment
 * variables (and, in tests, a profile's overrides).
 */
public final class HubSettingsFactory {

    private HubSettingsFactory() {
    }

    /** The settings of the running application's configuration. */
    public static HubSettings fromConfig() {
        return from(ConfigProvider.getConfig());
    }

    /** The settings of {@code config}. */
    public static HubSettings from(Config config) {
        return HubSettings.from(name -> config.getOptionalValue(name, String.class),
                Path.of(System.getProperty("user.home")));
    }
}
