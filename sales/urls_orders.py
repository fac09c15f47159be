"""Products sold (orders) and services: the firm's tabs, the lists, the forms."""

from django.urls import path

from sales.views import orders as views

urlpatterns = [
    path("firms/<int:pk>/orders/", views.FirmOrdersView.as_view(), name="firm-orders"),
    path("firms/<int:pk>/services/", views.FirmServicesView.as_view(), name="firm-services"),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/new/", views.OrderCreateView.as_view(), name="order-create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/edit/", views.OrderEditView.as_view(), name="order-edit"),
    path("orders/<int:pk>/delete/", views.OrderDeleteView.as_view(), name="order-delete"),
    path("services/", views.ServiceListView.as_view(), name="service-list"),
    path("services/new/", views.ServiceCreateView.as_view(), name="service-create"),
    path("services/<int:pk>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path("services/<int:pk>/edit/", views.ServiceEditView.as_view(), name="service-edit"),
    path("services/<int:pk>/delete/", views.ServiceDeleteView.as_view(), name="service-delete"),
]
