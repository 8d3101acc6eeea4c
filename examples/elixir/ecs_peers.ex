defmodule EcsPeers do
  @moduledoc """
  Keeps a release on AWS ECS connected to its peers after boot, with no AWS call in the steady state.

  Add `{EcsPeers, []}` to the application's children. It takes `ECS_PEER_NODES` (the tasks that
  were running when this one booted, set by `/app/bin/entrypoint`) once, remembers every node that
  connects, and every `:interval` ms connects again, in parallel, to the known nodes that are not
  connected. A node unreachable for `:forget_after` ms (a stopped task) is dropped. Only when the
  boot lookup failed (`ECS_PEER_LOOKUP=failed`), or the node has been alone for `:alone_after` ms,
  it runs `bin/entrypoint peers` again, at most every `:lookup_every` ms.

  Options (milliseconds): `:interval` 1_000, `:connect_timeout` 2_000, `:forget_after` 300_000,
  `:lookup_every` 60_000, `:alone_after` 300_000; `:entrypoint` (default
  `$RELEASE_ROOT/bin/entrypoint`), `:name` (default `EcsPeers`).
  """
  use GenServer
  require Logger

  @defaults [interval: 1_000, connect_timeout: 2_000, forget_after: 300_000, lookup_every: 60_000, alone_after: 300_000]
  # bin/entrypoint peers may wait out throttling until its --peers-timeout (60 s by default).
  @lookup_timeout 90_000

  def start_link(opts \\ []), do: GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))

  @impl true
  def init(opts) do
    opts = Keyword.validate!(opts, @defaults ++ [:name, entrypoint: default_entrypoint()])

    if node() == :nonode@nohost do
      Logger.info("EcsPeers: this node is not distributed (set RELEASE_DISTRIBUTION and RELEASE_NODE, e.g. with bin/entrypoint); nothing to do")
      :ignore
    else
      :ok = :net_kernel.monitor_nodes(true)
      t = now()
      known = Map.new(parse(System.get_env("ECS_PEER_NODES", "")), &{&1, t})
      # nil: the boot did no lookup (peers off), so neither will we.
      lookup = System.get_env("ECS_PEER_LOOKUP")
      state = %{opts: Map.new(opts), known: known, jobs: %{}, lookup: lookup, last_lookup: t, alone_since: t}
      {:ok, state, {:continue, :tick}}
    end
  end

  @impl true
  def handle_continue(:tick, state), do: {:noreply, tick(state)}

  @impl true
  def handle_info(:tick, state), do: {:noreply, tick(state)}

  def handle_info({:nodeup, node}, state) do
    Logger.info("EcsPeers: #{node} joined (#{length(Node.list())} connected)")
    {:noreply, %{state | known: Map.put(state.known, node, now())}}
  end

  def handle_info({:nodedown, node}, state) do
    Logger.warning("EcsPeers: #{node} left; reconnecting for up to #{div(state.opts.forget_after, 1000)} s")
    {:noreply, %{state | known: Map.put(state.known, node, now())}}
  end

  def handle_info({:peers, {:ok, nodes}}, state) do
    Logger.info("EcsPeers: bin/entrypoint peers listed #{length(nodes)} node(s)")
    t = now()
    {:noreply, %{state | lookup: "ok", known: Enum.reduce(nodes, state.known, &Map.put_new(&2, &1, t))}}
  end

  def handle_info({:peers, {:error, why}}, state) do
    Logger.warning("EcsPeers: bin/entrypoint peers failed (#{why}); next try in #{div(state.opts.lookup_every, 1000)} s")
    {:noreply, state}
  end

  def handle_info({:DOWN, _ref, :process, pid, _reason}, state), do: {:noreply, %{state | jobs: Map.delete(state.jobs, pid)}}

  def handle_info({:overdue, pid}, state) do
    with {:ok, job} <- Map.fetch(state.jobs, pid), do: stop_job(pid, job)
    {:noreply, state}
  end

  def handle_info(_other, state), do: {:noreply, state}

  defp tick(%{opts: opts} = state) do
    t = now()
    connected = Node.list()
    seen = Enum.reduce(connected, state.known, &Map.put(&2, &1, t))
    {kept, gone} = Enum.split_with(seen, fn {_node, at} -> t - at < opts.forget_after end)
    for {node, _} <- gone, do: Logger.info("EcsPeers: forgot #{node}: unreachable for #{div(opts.forget_after, 1000)} s")
    alone_since = if connected == [], do: state.alone_since, else: t
    state = %{state | known: Map.new(kept), alone_since: alone_since} |> connect(connected) |> maybe_lookup(t)
    Process.send_after(self(), :tick, opts.interval)
    state
  end

  # Each attempt runs in its own process, so one silent peer delays neither the others nor us.
  defp connect(state, connected) do
    busy = for {_pid, {:connect, node}} <- state.jobs, do: node
    todo = Map.keys(state.known) -- [node() | connected ++ busy]
    Enum.reduce(todo, state, fn node, acc -> start_job(acc, {:connect, node}, acc.opts.connect_timeout, fn -> Node.connect(node) end) end)
  end

  # A setup still pending is waiting on TCP's retransmission backoff: abort it, so the next try
  # sends a fresh SYN the moment the network is back.
  defp stop_job(pid, {:connect, node}) do
    Process.exit(pid, :kill)
    if node not in Node.list(), do: :erlang.disconnect_node(node)
  end

  defp stop_job(pid, _job), do: Process.exit(pid, :kill)

  defp maybe_lookup(%{opts: opts} = state, t) do
    cond do
      state.lookup == nil or t - state.last_lookup < opts.lookup_every -> state
      :lookup in Map.values(state.jobs) -> state
      not File.regular?(opts.entrypoint) -> disable_lookup(state)
      state.lookup == "failed" -> lookup(state, t)
      t - state.alone_since >= opts.alone_after -> lookup(%{state | alone_since: t}, t)
      true -> state
    end
  end

  defp disable_lookup(state) do
    Logger.warning("EcsPeers: #{state.opts.entrypoint} not found, so no peer lookup after boot; pass entrypoint: PATH")
    %{state | lookup: nil}
  end

  defp lookup(state, t) do
    me = self()
    path = state.opts.entrypoint
    start_job(%{state | last_lookup: t}, :lookup, @lookup_timeout, fn -> send(me, {:peers, run_peers(path)}) end)
  end

  defp run_peers(path) do
    case System.cmd(path, ["peers", "--format", "lines"], env: [{"ENTRYPOINT_QUIET", "1"}]) do
      {out, 0} -> {:ok, parse(out)}
      {_out, status} -> {:error, "exit #{status}"}
    end
  rescue
    e -> {:error, Exception.message(e)}
  end

  defp start_job(state, job, timeout, fun) do
    {pid, _ref} = spawn_monitor(fun)
    Process.send_after(self(), {:overdue, pid}, timeout)
    %{state | jobs: Map.put(state.jobs, pid, job)}
  end

  defp parse(text) do
    for name <- String.split(text, [",", "\n"], trim: true), name = String.trim(name), name != "", do: String.to_atom(name)
  end

  defp default_entrypoint, do: Path.join([System.get_env("RELEASE_ROOT", "/app"), "bin", "entrypoint"])
  defp now, do: System.monotonic_time(:millisecond)
end
