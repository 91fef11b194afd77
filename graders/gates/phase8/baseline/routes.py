"""All of the starter's HTTP routes, in one blueprint."""

from flask import Blueprint, jsonify, request

from .db import get_db
from .store import TaskForge, TaskForgeError

bp = Blueprint("taskforge", __name__)


@bp.errorhandler(TaskForgeError)
def handle_error(e):
    return jsonify({"error": {"code": e.code, "message": e.message}}), e.status


def store():
    return TaskForge(get_db())


def body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise TaskForgeError(400, "bad_request", "send a JSON object")
    return data


def current_user():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return store().user_from_token(header[len("Bearer ") :])


def login_required():
    user = current_user()
    if user is None:
        raise TaskForgeError(401, "unauthorized", "please log in")
    return user


@bp.get("/api/health")
def health():
    return jsonify({"status": "ok"})


# ---------------- auth and users ----------------


@bp.post("/api/auth/register")
def register():
    data = body()
    user = store().register(data.get("username"), data.get("password"), data.get("role"))
    return jsonify(user), 201


@bp.post("/api/auth/login")
def login():
    data = body()
    return jsonify(store().login(data.get("username"), data.get("password")))


@bp.get("/api/auth/me")
def me():
    return jsonify(login_required())


@bp.get("/api/users")
def list_users():
    return jsonify({"users": store().list_users()})


@bp.patch("/api/users/<int:user_id>")
def change_role(user_id):
    return jsonify(store().set_role(user_id, body().get("role")))


# ---------------- projects and categories ----------------


@bp.get("/api/projects")
def list_projects():
    return jsonify({"projects": store().list_projects()})


@bp.post("/api/projects")
def create_project():
    user = login_required()
    return jsonify(store().create_project(body(), user)), 201


@bp.get("/api/projects/<int:project_id>")
def get_project(project_id):
    return jsonify(store().get_project(project_id))


@bp.get("/api/categories")
def list_categories():
    return jsonify({"categories": store().list_categories()})


@bp.post("/api/categories")
def create_category():
    login_required()
    return jsonify(store().create_category(body())), 201


# ---------------- tasks ----------------


@bp.get("/api/tasks")
def list_tasks():
    return jsonify({"tasks": store().list_tasks(request.args)})


@bp.post("/api/tasks")
def create_task():
    user = login_required()
    return jsonify(store().create_task(body(), user)), 201


@bp.get("/api/tasks/<int:task_id>")
def get_task(task_id):
    return jsonify(store().get_task(task_id))


@bp.patch("/api/tasks/<int:task_id>")
def update_task(task_id):
    return jsonify(store().update_task(task_id, body(), current_user()))


@bp.delete("/api/tasks/<int:task_id>")
def delete_task(task_id):
    store().delete_task(task_id)
    return "", 204


@bp.post("/api/tasks/<int:task_id>/move")
def move_task(task_id):
    data = body()
    return jsonify(store().move_task(task_id, data.get("project_id"), current_user()))


@bp.get("/api/tasks/<int:task_id>/events")
def task_events(task_id):
    return jsonify({"events": store().list_events(task_id)})


# ---------------- HTML pages ----------------


@bp.get("/tasks")
def task_list_page():
    s = store()
    return s.render_task_list_page(s.list_tasks(request.args))


@bp.get("/tasks/<int:task_id>")
def task_page(task_id):
    s = store()
    return s.render_task_page(s.get_task(task_id))
