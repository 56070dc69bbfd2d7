"""Product search for the shop's JSON API."""

import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
DB_PATH = "shop.db"


def find_products(db: sqlite3.Connection, term: str):
    q = "SELECT id, name, price FROM products WHERE name LIKE '%" + term + "%' ORDER BY name"
    cursor = db.cursor()
    cursor.execute(q)
    return cursor.fetchall()


def product_by_id(db: sqlite3.Connection, product_id: str):
    cursor = db.cursor()
    cursor.execute("SELECT id, name, price FROM products WHERE id = " + product_id)
    return cursor.fetchone()


@app.get("/products")
def search():
    with sqlite3.connect(DB_PATH) as db:
        rows = find_products(db, request.args.get("q", ""))
    return jsonify([{"id": r[0], "name": r[1], "price": r[2]} for r in rows])


@app.get("/products/<product_id>")
def show(product_id):
    with sqlite3.connect(DB_PATH) as db:
        row = product_by_id(db, product_id)
    return (jsonify(id=row[0], name=row[1], price=row[2]), 200) if row else ("", 404)
