import PierHTTP

extension OktaSimulatorServer {
    func addAppRoutes(to api: RouterGroup) {}
}
