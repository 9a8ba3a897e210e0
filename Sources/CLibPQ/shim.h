#ifndef PIER_CLIBPQ_SHIM_H
#define PIER_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
