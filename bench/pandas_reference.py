"""The monthly check as an analyst would write it in plain pandas: the yardstick for `pricewatch check`.

    python bench/pandas_reference.py LISTINGS.csv OBSERVATIONS.csv 2026-10 -o reference.csv

Reads the two interchange files, keeps the period's quotes, takes each (product, source) robust
average (median m, MAD, s = max(1.4826 * MAD, 0.05 * m), quotes with |q - m| > 3 s dropped, mean of
the rest), the monitored price as the mean of the available source averages (at least 2 sources),
rounded to cents, the deviation rate rounded to 4 places, and the band. Writes one row per listing
with the columns of `pricewatch export results`.

Idiomatic pandas (groupby/transform), floats throughout, default METHOD.md parameters: neither
deliberately slow nor tuned. Float rounding may differ from the exact decimal method on a knife-edge
value now and then; the harness reports such mismatches.
"""
import argparse

import numpy as np
import pandas as pd

SOURCES = ["index", "gov", "ecommerce", "retail"]
K, TOL, MAD_SCALE, MIN_SOURCES = 3.0, 0.05, 1.4826, 2
NORMAL_MAX, DELIST_MIN = 0.20, 0.50


def robust_source_averages(obs: pd.DataFrame) -> pd.DataFrame:
    """One column per source: the robust average of each product's quotes (NaN: no quotes)."""
    by_pair = obs.groupby(["product_id", "source"])["price"]
    obs["median"] = by_pair.transform("median")
    obs["abs_dev"] = (obs["price"] - obs["median"]).abs()
    obs["mad"] = obs.groupby(["product_id", "source"])["abs_dev"].transform("median")
    obs["s"] = np.maximum(MAD_SCALE * obs["mad"], TOL * obs["median"])
    kept = obs[obs["abs_dev"] <= K * obs["s"]]
    averages = kept.groupby(["product_id", "source"])["price"].mean().unstack("source")
    return averages.reindex(columns=SOURCES)


def check(listings: pd.DataFrame, observations: pd.DataFrame, period: str) -> pd.DataFrame:
    """The results table: one row per listing."""
    observed = pd.to_datetime(observations["observed_on"], format="%Y-%m-%d")
    obs = observations[observed.dt.to_period("M") == period].copy()
    averages = robust_source_averages(obs)
    n_sources = averages.notna().sum(axis=1)
    monitored = averages.mean(axis=1).where(n_sources >= MIN_SOURCES).round(2)
    averages.columns = ["index_price", "gov_avg", "ecommerce_avg", "retail_avg"]
    averages["monitored_price"] = monitored

    res = listings[["listing_id", "product_id", "supplier_id", "category", "mall_price"]].merge(
        averages, left_on="product_id", right_index=True, how="left")
    res["deviation"] = ((res["mall_price"] - res["monitored_price"]) / res["monitored_price"]).round(4)
    res["band"] = np.select(
        [res["monitored_price"].isna(), res["deviation"] <= NORMAL_MAX, res["deviation"] < DELIST_MIN],
        ["insufficient", "normal", "evidence"], default="delist")
    return res


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Monthly price check in plain pandas.")
    parser.add_argument("listings")
    parser.add_argument("observations")
    parser.add_argument("period", help="YYYY-MM")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    listings = pd.read_csv(args.listings, dtype={"listing_id": str, "product_id": str, "supplier_id": str})
    observations = pd.read_csv(args.observations, usecols=["product_id", "source", "price", "observed_on"],
                               dtype={"product_id": str})
    res = check(listings, observations, args.period)

    prices = ["mall_price", "index_price", "gov_avg", "ecommerce_avg", "retail_avg", "monitored_price"]
    res["deviation"] = res["deviation"].map("{:.4f}".format, na_action="ignore")
    columns = ["listing_id", "product_id", "supplier_id", "category", *prices, "deviation", "band"]
    res[columns].to_csv(args.output, index=False, float_format="%.2f")
    counts = res["band"].value_counts()
    print(", ".join(f"{band}: {counts.get(band, 0)}" for band in ["insufficient", "normal", "evidence", "delist"]))


if __name__ == "__main__":
    main()
