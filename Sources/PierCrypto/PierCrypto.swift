// Module PierCrypto.
