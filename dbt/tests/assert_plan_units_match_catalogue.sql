-- A plan that states a unit states the catalogue's: an alias that maps 万元 onto 元 or 对 onto
-- 所 would make values incomparable.
select distinct
    cells.plan_id,
    cells.indicator_name_raw,
    cells.indicator_code,
    cells.unit,
    indicators.unit as catalogue_unit

from {{ ref('int_plan_cells_normalized') }} as cells
inner join {{ ref('indicators') }} as indicators
    on cells.indicator_code = indicators.indicator_code
where cells.unit is not null
    and cells.unit is distinct from indicators.unit
