package dev.aqlm.runtime.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the version Maven wrote into the jar's manifest (or "development build" from classes). */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"aqlm-spark " + (version != null ? version : "(development build)")};
    }
}
