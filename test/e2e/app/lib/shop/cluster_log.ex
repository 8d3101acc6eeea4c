defmodule Shop.ClusterLog do
  @moduledoc """
  Prints the node's name and boot peers, then the whole cluster on every nodeup/nodedown, so the
  test sees when the mesh is complete on each node (peers that connected to this one included).
  """
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)

  @impl true
  def init(_) do
    :ok = :net_kernel.monitor_nodes(true)
    IO.puts("shop: node #{node()} peers [#{System.get_env("ECS_PEER_NODES", "")}]")
    {:ok, nil}
  end

  @impl true
  def handle_info({event, _node}, state) when event in [:nodeup, :nodedown] do
    IO.puts("shop: cluster now [#{Node.list() |> Enum.sort() |> Enum.join(",")}]")
    {:noreply, state}
  end
end
