// Debian's librdkafka-dev installs its headers under librdkafka/. The mock cluster
// header is exposed too: tests, the demo and `dev-broker` run an in-process cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
