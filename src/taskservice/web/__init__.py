"""The web app for people (GET /), the API docs from local assets, and CORS."""
