"""Payment providers: implementations of the PaymentProvider port."""
