"""TaskForge starter: the task tracker as a learner has it at the end of Phase 6.

This is the starting point for the Phase 7 gate ("TaskForge Engineering Upgrade"). It works:
you can register, log in, and create, list, change, move and delete tasks. It also has
real design, performance and security problems, left in on purpose. Finding and fixing
them is the gate's work; graders/gates/README.md says what the upgraded app must do.

Run it from the repository root:

    flask --app exercises.taskforge run --host 127.0.0.1 --port 5001
"""

import os

from flask import Flask

from . import db, routes

SECRET_KEY = "taskforge-dev-secret-change-me"


def create_app(config=None):
    app = Flask(__name__)
    app.config["SECRET_KEY"] = SECRET_KEY
    app.config["DATABASE"] = os.path.join(app.instance_path, "taskforge-starter.sqlite")
    if config:
        app.config.update(config)

    os.makedirs(os.path.dirname(os.path.abspath(app.config["DATABASE"])), exist_ok=True)
    db.init_app(app)
    with app.app_context():
        db.init_db()

    app.register_blueprint(routes.bp)
    return app
