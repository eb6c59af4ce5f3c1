/// Re-sync: records copied back into their source partition by `contact-sync resync` carry this
/// header. The version guard then applies again what it would skip as already applied (the same
/// event, the entity's last version), so a platform that lost data gets the last state back;
/// what is older than the last version is still skipped, so nothing rolls back. Everything else
/// (budget, lanes, dead letters, commits) is as for any record.
public enum Resync {
    public static let header = "contactsync.resync"
}
