// Module PierHTTP.
