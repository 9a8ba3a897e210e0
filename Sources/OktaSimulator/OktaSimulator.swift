// Module OktaSimulator.
