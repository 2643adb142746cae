"""The geometry of the cooperation–conflict chart of /relations: each scored event of a pair as a dot at
its year (or in the column of the week of the article) and its Goldstein score (-10 conflict … +10
cooperation), the mean of each column as a bar, and a line through the means. Pure: items in, numbers for
the SVG of templates/relations/relations.html out."""

from __future__ import annotations

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
WEEK = "week of the article"


def chart(items: list[dict]) -> dict:
    """The chart of the items of relations(): those with a score and a time, the pair's own (not causes)."""
    scored = [i for i in items if i.get("score") is not None and i.get("role", "relations") == "relations"]
    placed = [i for i in scored if i["time"] and (i["time"].get("first_year") is not None or i["time"]["lane"] == "week")]
    years = sorted({i["time"]["first_year"] for i in placed if i["time"]["lane"] == "main"})
    columns: list[int | str] = list(range(years[0], years[-1] + 1)) if years else []
    if any(i["time"]["lane"] == "week" for i in placed):
        columns.append(WEEK)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    band = plot_w / max(len(columns), 1)

    def y(score: float) -> float:
        return round(TOP + (10 - score) / 20 * plot_h, 1)

    by_column: dict[int | str, list[dict]] = {c: [] for c in columns}
    for item in placed:
        by_column[WEEK if item["time"]["lane"] == "week" else item["time"]["first_year"]].append(item)
    points, means, axis = [], [], []
    short = len(columns) > 12  # two-digit years, so that the labels fit their columns
    for index, column in enumerate(columns):
        center = LEFT + band * (index + 0.5)
        label = "week" if column == WEEK else f"’{column % 100:02d}" if short else str(column)
        axis.append({"x": round(center, 1), "label": label, "title": WEEK if column == WEEK else str(column)})
        group = by_column[column]
        step = min(12.0, band / (len(group) + 1))
        for k, item in enumerate(group):
            score = item["score"]
            points.append({
                "x": round(center + (k - (len(group) - 1) / 2) * step, 1), "y": y(score), "score": score,
                "label": item["label"], "href": item["href"], "when": item["time"]["text"],
                "tone": "cooperation" if score > 0 else "conflict" if score < 0 else "neutral",
            })
        if group:
            mean = sum(i["score"] for i in group) / len(group)
            means.append({"x1": round(center - band * 0.35, 1), "x2": round(center + band * 0.35, 1),
                          "x": round(center, 1), "y": y(mean), "mean": round(mean, 2), "column": axis[-1]["title"]})
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM,
        "grid": [{"y": y(v), "value": v} for v in (10, 5, 0, -5, -10)],
        "zero": y(0), "axis": axis, "points": points, "means": means,
        "trend": " ".join(f"{m['x']},{m['y']}" for m in means),
        "charted": len(points), "scored": len(scored), "unplaced": len(scored) - len(placed),
    }
