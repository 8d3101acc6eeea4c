defmodule Shop.Application do
  # Starts EcsPeers (examples/elixir/ecs_peers.ex, compiled in through mix.exs), or the old one-shot
  # connector when SHOP_CONNECTOR=oneshot (the control case), and the cluster log the test reads.
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    connector = if System.get_env("SHOP_CONNECTOR") == "oneshot", do: Shop.PeerConnector, else: {EcsPeers, peers_options()}
    Supervisor.start_link([Shop.ClusterLog, connector], strategy: :one_for_one, name: Shop.Supervisor)
  end

  @impl true
  def stop(_state) do
    # Printed on a graceful shutdown (SIGTERM → init:stop), so the test can see it happened.
    IO.puts("shop: application stopped")
  end

  # SHOP_ECS_PEERS="interval=200,lookup_every=2000": the test's short cadences.
  defp peers_options do
    for pair <- String.split(System.get_env("SHOP_ECS_PEERS", ""), ",", trim: true) do
      [key, value] = String.split(pair, "=")
      {String.to_atom(key), String.to_integer(value)}
    end
  end
end
