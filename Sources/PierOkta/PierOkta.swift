// Module PierOkta.
