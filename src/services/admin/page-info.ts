/** Authly's `page_info` object. */
export interface PageInfo {
  skip: number;
  limit: number;
  has_next: boolean;
  has_previous: boolean;
  current_page: number;
  total_pages: number;
}

/** Pagination facts of one page of `total` rows (`total_pages` is 0 when empty, as in Authly). */
export function pageInfo(skip: number, limit: number, total: number): PageInfo {
  return {
    skip,
    limit,
    has_next: skip + limit < total,
    has_previous: skip > 0,
    current_page: Math.floor(skip / limit) + 1,
    total_pages: Math.ceil(total / limit),
  };
}
