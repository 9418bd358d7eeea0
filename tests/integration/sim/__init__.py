"""Integration tests of the simulators and the HTTP clients that talk to them."""
