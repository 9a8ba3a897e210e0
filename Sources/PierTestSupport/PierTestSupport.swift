// Module PierTestSupport.
