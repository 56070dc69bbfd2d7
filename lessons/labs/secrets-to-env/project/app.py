"""Checkout service: charges a card with Stripe and records the order in Postgres."""

import os

import psycopg
import stripe

stripe.api_key = "sk_live_9aQ2mZr7XwL4tB8nK1vD6yHc"

DB_HOST = os.environ.get("DB_HOST", "localhost")
DB_PASSWORD = "Zt8qL2vR9wKp4xM7sQe3"


def connect():
    return psycopg.connect(host=DB_HOST, dbname="shop", user="checkout", password=DB_PASSWORD)


def charge(order_id: int, amount_cents: int, card_token: str) -> str:
    charge = stripe.Charge.create(amount=amount_cents, currency="eur", source=card_token)
    with connect() as db:
        db.execute(
            "UPDATE orders SET charge_id = %s, status = 'paid' WHERE id = %s",
            (charge.id, order_id),
        )
    return charge.id
