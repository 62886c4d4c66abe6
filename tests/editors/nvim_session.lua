-- Drives a real Neovim 0.11 (headless) against `python -m splice serve`.
-- Usage: nvim --headless --clean -l nvim_session.lua PYTHON WORKDIR OUT_JSON SCENARIO
-- Writes what it observed as JSON; the pytest side asserts on it.
local python, workdir, out, scenario = arg[1], arg[2], arg[3], arg[4]
local log = { scenario = scenario, index_status = {}, message_requests = {}, shown_documents = {}, errors = {} }

local function save()
  local f = assert(io.open(out, 'w'))
  f:write(vim.json.encode(log))
  f:close()
end

local ok, err = pcall(function()
  -- The user's answers to the fallback review, in order ("Show diff", then "Apply").
  local answers = { 'Show diff', 'Apply' }
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

  vim.cmd.edit(workdir .. '/inventory/service.py')
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start({
    name = 'splice',
    cmd = { python, '-m', 'splice', 'serve' },
    root_dir = workdir,
    cmd_env = { LITELLM_LOCAL_MODEL_COST_MAP = 'True' },
  }, { bufnr = buf })
  local client = assert(vim.lsp.get_client_by_id(id))
  assert(vim.wait(30000, function() return client.initialized end, 50), 'initialize timed out')
  assert(vim.wait(120000, function()
    return log.index_status[#log.index_status] == 'ready'
  end, 50), 'indexing did not finish')
  log.offset_encoding = client.offset_encoding

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
