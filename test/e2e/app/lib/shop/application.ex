defmodule Shop.Application do
  # Starts the peer connector; the release has nothing else to run.
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    children = [Shop.PeerConnector]
    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end

  @impl true
  def stop(_state) do
    # Printed on a graceful shutdown (SIGTERM → init:stop), so the test can see it happened.
    IO.puts("shop: application stopped")
  end
end
