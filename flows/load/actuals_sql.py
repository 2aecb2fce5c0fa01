"""The row checks of the actuals loader, as SQL over a staged file (so 10 million rows stream
through DuckDB instead of Python). Every problem is a struct in the row's `problems` list; a row
is held back when any problem has kept = false. Reasons are listed in docs/actuals_contract.md."""

from __future__ import annotations

# A year that is a range: 2018-2022, 2018—2022, 2018~2022, 2018至2022, 2018年-2022年.
YEAR_RANGE = r"[0-9]{4}\s*年?\s*[-–—~～至到]\s*[0-9]{4}\s*年?"
# A plain decimal: optional sign, at most 18 integer digits, no thousands separators.
NUMBER = r"[+-]?([0-9]{1,18}(\.[0-9]*)?|\.[0-9]+)"
# Indicators whose percentage may exceed 100 (gross rates) or be negative (changes).
GROSS = r"毛入学|毛入园|gross"
# Lookup keys: spaces removed, full-width parentheses and colon as half-width.
_REGION_KEY = "replace(replace({column}, ' ', ''), '　', '')"
_INDICATOR_KEY = "replace(translate({column}, '（）：', '():'), ' ', '')"
CHANGE = r"增长|增幅|增速|变化|变动|提高|提升|下降|减少|growth|change"


def _trimmed(decimal: str) -> str:
    """A DECIMAL(38,10) as text without trailing zeros: 100.0000000000 -> 100."""
    return f"rtrim(rtrim(CAST(CAST({decimal} AS DECIMAL(38,10)) AS VARCHAR), '0'), '.')"


def problem(column: str, raw: str, reason: str, detail: str, *, kept: bool = False) -> str:
    return (
        f"{{'column': '{column}', 'raw_value': {raw}, 'reason': '{reason}', "
        f"'detail': {detail}, 'kept': {'true' if kept else 'false'}}}"
    )


# required field -> (staged column tested for NULL, the detail a user reads)
REQUIRED_FIELDS = {
    "region": ("region", "region is required"),
    "indicator": ("indicator", "indicator is required"),
    "year": ("year_text", "year is required"),
    "value": ("value_text", "value is required"),
    "source_url": ("source_url", "every figure needs its source_url"),
}


def checked_sql(*, have_regions: bool, have_indicators: bool) -> str:
    """Stage rows (`_actuals_rows`: line, malformed, region ... source_kind) -> typed rows with
    their problems (`_actuals_checked`). Parameter: the file's default source_kind."""
    missing_value_checks = "\n".join(
        f"        CASE WHEN malformed IS NULL AND {staged} IS NULL THEN "
        f"{problem(field, 'NULL', 'missing_value', repr(detail))} END,"
        for field, (staged, detail) in REQUIRED_FIELDS.items()
    )
    region_problem = (
        problem(
            "region",
            "region",
            "unknown_region",
            "'not a GB/T 2260 code or region name in dbt/seeds/regions.csv'",
        )
        if have_regions
        else "NULL"
    )
    indicator_problem = (
        problem(
            "indicator",
            "indicator",
            "unknown_indicator",
            "'not in the indicator catalogue or its aliases: loaded and reported'",
            kept=True,
        )
        if have_indicators
        else "NULL"
    )
    region_code = (
        "r.code"
        if have_regions
        else "CASE WHEN regexp_full_match(s.region, '[1-9][0-9]{5}') THEN s.region END"
    )
    return f"""
CREATE OR REPLACE TEMP TABLE _actuals_checked AS
WITH
-- lookups matched once per distinct value, not per row (string functions cost on 10M rows)
region_map AS (
    SELECT k.region, r.code
    FROM (SELECT DISTINCT trim(region) AS region FROM _actuals_rows) k
    JOIN _actuals_regions r ON r.key = {_REGION_KEY.format(column="k.region")}
),
indicator_map AS (
    SELECT k.indicator, i.indicator_id, i.unit, i.min_value, i.max_value, i.breakdown
    FROM (SELECT DISTINCT trim(indicator) AS indicator FROM _actuals_rows) k
    JOIN _actuals_indicators i ON i.alias = {_INDICATOR_KEY.format(column="k.indicator")}
),
s AS (
    SELECT
        line, malformed,
        nullif(trim(region), '') AS region,
        nullif(trim(indicator), '') AS indicator,
        nullif(trim(breakdown), '') AS breakdown,
        nullif(trim(year), '') AS year_text,
        nullif(trim(value), '') AS value_text,
        nullif(trim(unit), '') AS unit_text,
        CASE trim(coalesce(unit, ''))
            WHEN '％' THEN '%' WHEN '百分比' THEN '%' WHEN '名' THEN '人' WHEN '万名' THEN '万人'
            ELSE trim(coalesce(unit, '')) END AS unit_norm,
        nullif(trim(source_url), '') AS source_url,
        nullif(trim(source_title), '') AS source_title,
        nullif(trim(source_kind), '') AS source_kind_text,
        coalesce(nullif(lower(trim(source_kind)), ''), $default_kind) AS source_kind
    FROM _actuals_rows
),
typed AS (
    SELECT
        s.*,
        {region_code} AS region_code,
        i.indicator_id, i.unit AS catalogue_unit, i.min_value, i.max_value,
        i.breakdown AS implied_breakdown,
        CASE WHEN regexp_full_match(s.year_text, '[0-9]{{4}}') THEN CAST(s.year_text AS INTEGER)
            END AS year,
        CASE WHEN regexp_full_match(s.value_text, '{NUMBER}')
            THEN TRY_CAST(s.value_text AS DECIMAL(38,10)) END AS value_number,
        CASE WHEN i.unit IS NULL OR i.unit = '' OR i.unit = s.unit_norm THEN 'same'
            WHEN u.from_unit IS NOT NULL THEN 'convert' ELSE 'no' END AS unit_fit,
        u.mul, u.frac
    FROM s
    LEFT JOIN region_map r ON r.region = s.region
    LEFT JOIN indicator_map i ON i.indicator = s.indicator
    LEFT JOIN _actuals_units u ON u.from_unit = s.unit_norm AND u.to_unit = i.unit
),
valued AS (
    SELECT
        typed.*,
        CASE WHEN unit_fit = 'same' THEN value_number
            WHEN unit_fit = 'convert' AND mul IS NOT NULL
                THEN CAST(value_number * mul AS DECIMAL(38,10))
            WHEN unit_fit = 'convert' THEN CAST(value_number * frac AS DECIMAL(38,10))
            END AS canonical_value,
        nullif(unit_norm, '') AS unit,
        CASE WHEN min_value IS NOT NULL OR max_value IS NOT NULL THEN min_value
            WHEN regexp_matches(coalesce(indicator, '') || coalesce(indicator_id, ''), '{CHANGE}')
                THEN NULL
            ELSE 0 END AS low,
        CASE WHEN min_value IS NOT NULL OR max_value IS NOT NULL THEN max_value
            WHEN regexp_matches(coalesce(indicator, '') || coalesce(indicator_id, ''),
                '{CHANGE}|{GROSS}') THEN NULL
            WHEN coalesce(catalogue_unit, unit_norm) = '%' THEN 100
            END AS high
    FROM typed
)
SELECT
    line, region, region_code, indicator, indicator_id, implied_breakdown,
    CASE WHEN indicator_id IS NOT NULL THEN true WHEN {str(have_indicators).lower()} THEN false
        END AS indicator_known,
    breakdown, year, value_number AS value, canonical_value, value_text, unit,
    source_url, source_title, source_kind,
    list_filter([
        CASE WHEN malformed IS NOT NULL THEN {
        problem("*", "malformed", "malformed_row", "'wrong number of fields for the header'")
    } END,
{missing_value_checks}
        CASE WHEN region IS NOT NULL AND region_code IS NULL THEN {region_problem} END,
        CASE WHEN indicator IS NOT NULL AND indicator_id IS NULL THEN {indicator_problem} END,
        CASE WHEN regexp_full_match(year_text, '{YEAR_RANGE}') THEN {
        problem("year", "year_text", "year_is_range", "'a year range is not one year'")
    } WHEN year_text IS NOT NULL AND (year IS NULL OR year NOT BETWEEN 1949 AND 2100) THEN {
        problem("year", "year_text", "year_not_a_year", "'expected a 4-digit year 1949-2100'")
    } END,
        CASE WHEN value_text IS NOT NULL AND value_number IS NULL THEN {
        problem(
            "value",
            "value_text",
            "value_not_a_number",
            "CASE WHEN regexp_matches(value_text, '^[<>≤≥≈约]') "
            "THEN 'a bound or estimate, not a figure' "
            "ELSE 'expected a plain decimal number (no separators, units or text)' END",
        )
    } END,
        CASE WHEN unit_fit = 'no' THEN {
        problem(
            "unit",
            "unit_text",
            "unit_not_convertible",
            "'cannot convert ' || coalesce(unit_text, '(no unit)') || ' to the catalogue unit '"
            " || catalogue_unit",
        )
    } END,
        CASE WHEN canonical_value < low OR canonical_value > high THEN {
        problem(
            "value",
            "value_text",
            "value_out_of_range",
            "'outside the possible range [' || coalesce(" + _trimmed("low") + ", '') || ', ' || "
            "coalesce(" + _trimmed("high") + ", '') || ']' || "
            "coalesce(' ' || coalesce(catalogue_unit, unit), '')",
        )
    } END,
        CASE WHEN source_kind NOT IN ('published', 'synthetic')
            OR (source_kind = 'published' AND $default_kind = 'synthetic') THEN {
        problem(
            "source_kind",
            "source_kind_text",
            "invalid_source_kind",
            "'source_kind must be published or synthetic (synthetic_*.csv: synthetic only)'",
        )
    } END
    ], lambda p: p IS NOT NULL) AS problems
FROM valued
"""


# Duplicates among the rows that passed every other check: within the file, and against rows
# other files already loaded. Key: region, indicator (catalogue id if known), breakdown, year.
DUPLICATES_SQL = f"""
CREATE OR REPLACE TEMP TABLE _actuals_duplicates AS
WITH good AS (
    SELECT line, coalesce(region_code, region) AS region_key,
        coalesce(indicator_id, indicator) AS indicator_key,
        coalesce(implied_breakdown, breakdown, '') AS breakdown_key,
        year, canonical_value AS value, value_text
    FROM _actuals_checked
    WHERE len(list_filter(problems, lambda p: NOT p.kept)) = 0
),
groups AS (
    SELECT region_key, indicator_key, breakdown_key, year,
        count(DISTINCT value) AS values_n, min(line) AS first_line
    FROM good GROUP BY ALL HAVING count(*) > 1
),
within AS (
    SELECT g.line, g.value_text,
        CASE WHEN k.values_n > 1 THEN 'duplicate_disagrees' ELSE 'duplicate_row' END AS reason,
        CASE WHEN k.values_n > 1 THEN 'the same figure has different values in this file'
            ELSE 'the same figure is already on line ' || k.first_line END AS detail
    FROM good g JOIN groups k USING (region_key, indicator_key, breakdown_key, year)
    WHERE k.values_n > 1 OR g.line <> k.first_line
),
indicator_map AS (
    SELECT k.indicator, i.indicator_id, i.unit, i.breakdown
    FROM (SELECT DISTINCT indicator FROM raw.actuals WHERE file <> $file) k
    JOIN _actuals_indicators i ON i.alias = {_INDICATOR_KEY.format(column="k.indicator")}
),
others AS (
    SELECT coalesce(a.region_code, a.region) AS region_key,
        coalesce(i.indicator_id, a.indicator) AS indicator_key,
        coalesce(i.breakdown, a.breakdown, '') AS breakdown_key, a.year, a.file, a.line,
        CASE WHEN u.mul IS NOT NULL THEN CAST(a.value * u.mul AS DECIMAL(38,10))
            WHEN u.frac IS NOT NULL THEN CAST(a.value * u.frac AS DECIMAL(38,10))
            ELSE a.value END AS value
    FROM raw.actuals a
    LEFT JOIN indicator_map i ON i.indicator = a.indicator
    LEFT JOIN _actuals_units u ON u.from_unit = a.unit AND u.to_unit = i.unit
    WHERE a.file <> $file
),
across AS (
    SELECT g.line, g.value_text,
        CASE WHEN g.value <> o.value THEN 'duplicate_disagrees' ELSE 'duplicate_row' END AS reason,
        CASE WHEN g.value <> o.value
            THEN 'disagrees with ' || o.file || ' line ' || o.line || ' (' || o.value || ')'
            ELSE 'the same figure is already loaded from ' || o.file || ' line ' || o.line
            END AS detail
    FROM good g JOIN others o USING (region_key, indicator_key, breakdown_key, year)
)
SELECT line, any_value(value_text) AS value_text, min(reason) AS reason, string_agg(detail, '; ')
    AS detail
FROM (SELECT * FROM within UNION ALL SELECT * FROM across)
GROUP BY line
"""
