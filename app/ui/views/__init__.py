"""Custom-drawn views and the Explore page's panels."""
