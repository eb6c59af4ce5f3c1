import ArgumentParser
import ContactSyncCLI

@main
extension ContactSyncCommand {}
