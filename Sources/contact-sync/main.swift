import ContactSyncCLI

await ContactSyncCommand.main()
