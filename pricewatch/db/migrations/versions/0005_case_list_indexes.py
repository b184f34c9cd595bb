"""The cases list: each case's category, and the indexes the list walks in its order

Revision ID: 0005
Revises: 0004

cases.category is the listing's category when the case opened, filled from the listings for the
cases already stored. Open cases are listed by deadline, the others by opening time; with or
without a category filter, the list reads one of these indexes in its order.
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("cases", sa.Column("category", sa.String(length=64), nullable=True))
    op.execute("UPDATE cases SET category = (SELECT listings.category FROM listings WHERE listings.id = cases.listing_id)")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.alter_column("category", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_index("ix_cases_open_deadline")
        batch_op.drop_index("ix_cases_period_state")
        batch_op.create_index("ix_cases_open_deadline", ["is_open", "deadline_on", "id"], unique=False)
        batch_op.create_index("ix_cases_state_opened", ["state", "opened_at", "id"], unique=False)
        batch_op.create_index("ix_cases_period_state", ["period", "state", "opened_at", "id"], unique=False)
        batch_op.create_index("ix_cases_opened", ["opened_at", "id"], unique=False)
        batch_op.create_index("ix_cases_category_open_deadline", ["category", "is_open", "deadline_on", "id"],
                              unique=False)
        batch_op.create_index("ix_cases_category_opened", ["category", "opened_at", "id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE cases")  # the planner picks among these by their statistics


def downgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_index("ix_cases_category_opened")
        batch_op.drop_index("ix_cases_category_open_deadline")
        batch_op.drop_index("ix_cases_opened")
        batch_op.drop_index("ix_cases_period_state")
        batch_op.drop_index("ix_cases_state_opened")
        batch_op.drop_index("ix_cases_open_deadline")
        batch_op.create_index("ix_cases_period_state", ["period", "state"], unique=False)
        batch_op.create_index("ix_cases_open_deadline", ["is_open", "deadline_on"], unique=False)
        batch_op.drop_column("category")
