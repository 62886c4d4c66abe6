-- Drives a real Neovim 0.11 (headless) against `python -m splice serve`.
-- Usage: nvim --headless --clean -l nvim_session.lua PYTHON WORKDIR OUT_JSON SCENARIO [MODEL_URL]
-- Scenarios: "navigate" (index, workspace symbols, definition); "fix" (a Splice code action on a diagnostic,
-- the fake model's fix, the Apply / Show diff / Discard review, the buffer checked); "migrate" (plan a migration
-- with a shipped rule pack, its sites as diagnostics, two rule steps approved with Apply, the count going down).
-- Writes what it observed as JSON; the pytest side asserts on it.
local python, workdir, out, scenario, model_url = arg[1], arg[2], arg[3], arg[4], arg[5]
local log = { scenario = scenario, index_status = {}, message_requests = {}, shown_documents = {}, errors = {} }

local function save()
  local f = assert(io.open(out, 'w'))
  f:write(vim.json.encode(log))
  f:close()
end

local ok, err = pcall(function()
  -- The user's answers to the fallback review, in order ("Show diff", then "Apply").
  local answers = scenario == 'migrate' and { 'Apply', 'Apply', 'Apply' } or { 'Show diff', 'Apply' }
  vim.lsp.handlers['window/showMessageRequest'] = function(_, params)
    table.insert(log.message_requests, params.message)
    local wanted = table.remove(answers, 1)
    for _, action in ipairs(params.actions or {}) do
      if action.title == wanted then
        return action
      end
    end
    return vim.NIL
  end
  vim.lsp.handlers['window/showDocument'] = function(_, params)
    table.insert(log.shown_documents, params.uri)
    return { success = true }
  end
  vim.lsp.handlers['splice/indexStatus'] = function(_, params)
    table.insert(log.index_status, params.state)
  end

  local file = ({ fix = '/inventory/pricing.py', migrate = '/shop/transport.py' })[scenario] or '/inventory/service.py'
  vim.cmd.edit(workdir .. file)
  local buf = vim.api.nvim_get_current_buf()
  local init_options = model_url and { model = 'openai/fake-model', apiBase = model_url } or vim.empty_dict()
  local id = vim.lsp.start({
    name = 'splice',
    cmd = { python, '-P', '-m', 'splice', 'serve' },
    root_dir = workdir,
    cmd_env = { LITELLM_LOCAL_MODEL_COST_MAP = 'True' },
    init_options = init_options,
  }, { bufnr = buf })
  local client = assert(vim.lsp.get_client_by_id(id))
  assert(vim.wait(30000, function() return client.initialized end, 50), 'initialize timed out')
  assert(vim.wait(120000, function()
    return log.index_status[#log.index_status] == 'ready'
  end, 50), 'indexing did not finish')
  log.offset_encoding = client.offset_encoding

  if scenario == 'migrate' then
    local function sites()
      local n = 0
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        if d.source == 'splice-migrate' then n = n + 1 end
      end
      return n
    end
    local planned = assert(client:request_sync('workspace/executeCommand', {
      command = 'splice.migrate', arguments = { { target = 'requests to httpx', rules = { 'requests-to-httpx' } } },
    }, 60000, buf)).result
    log.migration = planned.id
    vim.wait(10000, function() return sites() > 0 end, 50)
    log.site_counts = { sites() }
    for _ = 1, 2 do
      local before = sites()
      local res = assert(client:request_sync('workspace/executeCommand', {
        command = 'splice.migrateContinue', arguments = { { id = planned.id } },
      }, 60000, buf)).result
      log.outcomes = log.outcomes or {}
      table.insert(log.outcomes, res.outcomes[1].message)
      vim.wait(10000, function() return sites() < before end, 50)
      table.insert(log.site_counts, sites())
    end
    log.buffer = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    client:stop()
    vim.wait(5000, function() return client:is_stopped() end)
    return
  end

  if scenario == 'fix' then
    -- a diagnostic from another tool on the dict lookup; Splice offers Explain / Fix without calling the model
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local row
    for i, line in ipairs(lines) do
      if line:find('TIER_DISCOUNTS%[tier%]') then row = i - 1 end
    end
    local diagnostic = {
      range = { start = { line = row, character = 4 }, ['end'] = { line = row, character = 35 } },
      message = 'KeyError: unknown tier', source = 'pyright', severity = 1,
    }
    local actions = assert(client:request_sync('textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(buf) }, range = diagnostic.range,
      context = { diagnostics = { diagnostic } },
    }, 10000, buf)).result
    log.actions = {}
    local fix
    for _, action in ipairs(actions or {}) do
      table.insert(log.actions, action.title)
      if action.title:find('^Splice: Fix') then fix = action end
    end
    assert(fix, 'no Splice: Fix action offered')
    -- choosing the action runs its command: the model answers, the review asks, the edit lands in the buffer
    local res = assert(client:request_sync('workspace/executeCommand', fix.command, 60000, buf))
    log.result = res.result
    log.buffer = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    client:stop()
    vim.wait(5000, function() return client:is_stopped() end)
    return
  end

  local symbols = assert(client:request_sync('workspace/symbol', { query = 'order_total' }, 10000, buf)).result
  log.workspace_symbols = {}
  for _, s in ipairs(symbols or {}) do
    table.insert(log.workspace_symbols, s.name)
  end

  -- go to definition of the order_total call inside InventoryService.quote
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, line in ipairs(lines) do
    local col = line:find('order_total%(lines')
    if col then
      local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = i - 1, character = col - 1 } }
      local res = assert(client:request_sync('textDocument/definition', params, 10000, buf)).result
      log.definition = res and res[1] and res[1].uri or nil
      break
    end
  end

  client:stop()
  vim.wait(5000, function() return client:is_stopped() end)
end)
if not ok then
  table.insert(log.errors, tostring(err))
end
save()
vim.cmd('qa!')
