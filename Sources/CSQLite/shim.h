// Debian's libsqlite3-dev: the C library the state store is built on (no Swift wrapper to
// compile; the same library the sqlite3 shell uses to inspect a store by hand).
#include <sqlite3.h>
