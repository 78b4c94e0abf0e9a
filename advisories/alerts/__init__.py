"""Changes -> deliveries -> SMTP, and the subscriptions they go to."""
