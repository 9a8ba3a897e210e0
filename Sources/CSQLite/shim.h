#ifndef PIER_CSQLITE_SHIM_H
#define PIER_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
