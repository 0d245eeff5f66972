"""One mission, one SQLite file: identity, sources, inventory, history."""

from app.project.store import MissionIdentity, Project

__all__ = ["MissionIdentity", "Project"]
