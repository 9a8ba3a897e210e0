#ifndef PIER_CLIBPQ_SHIM_H
#define PIER_CLIBPQ_SHIM_H
#include <libpq-fe.h>

// Error field codes are character-literal macros in postgres_ext.h, which Swift does not import.
static const int PIER_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int PIER_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int PIER_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
static const int PIER_PG_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
#endif
