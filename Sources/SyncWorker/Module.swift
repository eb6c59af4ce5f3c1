// SyncWorker: see Package.swift for where this module sits.
enum SyncWorkerModule {}
