#ifndef PIER_CCURL_SHIM_H
#define PIER_CCURL_SHIM_H
#include <curl/curl.h>
#endif
