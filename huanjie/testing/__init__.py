"""Test support shipped with the package: the persona world and pytest plugins."""
