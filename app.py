"""The WSGI application: `flask --app app run`, `waitress-serve app:app`.

Importing this module only builds the app (settings, extensions, blueprints): it opens no
database connection and starts no scheduler (that is the `pricewatch scheduler` process).
"""
from pricewatch.web import create_app

app = create_app()

if __name__ == "__main__":  # python app.py: the development server on localhost
    app.run(host="127.0.0.1", port=5000)
