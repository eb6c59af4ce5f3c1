import ContactSyncCLI

@main
extension ContactSyncCommand {}
